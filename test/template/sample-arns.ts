// The ALB and target groups the template tests deploy on paper with: one place, so that the
// tests of the template and of its rules name the same bridge.
export const ALB =
  'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/web/50dc6c495c0c9188';
export const TG_A =
  'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web-443/73e2d6bc24d8a067';
export const TG_B =
  'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web-80/0f1e2d3c4b5a6978';
