"""moto_server for `npm start`, with stand-ins for what moto 5.2.1 does not do that the sandbox needs.

Usage: python3 sandbox/moto_sandbox.py PORT LAMBDA_SERVICE_URL SCHEDULE_SECONDS

Serves moto on 127.0.0.1:PORT, like `moto_server -H 127.0.0.1 -p PORT`, after nine changes to moto,
each for one thing AWS does and moto 5.2.1 does not (read in moto's own source; README, "What the
sandbox emulates"):

1. CloudFormation treats AWS::CloudFormation::CustomResource as a custom resource (moto's
   cloudformation/parsing.py knows only Custom::* types and skips the other with a warning), and
   reads an output that joins a custom resource's attribute after the resource has answered (moto
   reads the exports while it creates the stack, and fails on an Fn::Join of a None); and an
   Fn::If that gives AWS::NoValue leaves the item out of a list (moto leaves a None there); and
   an output whose Condition is false exports nothing (moto's OutputMap.exports evaluates every
   exported output's value, and fails on a GetAtt of a resource its condition left out).
2. Lambda runs a function by handing the invocation to the sandbox (LAMBDA_SERVICE_URL), which runs
   the function's built bundle, instead of in a Docker container: awslambda/models.py
   LambdaFunction._invoke_lambda. It is how moto's CloudFormation calls a custom resource's
   ServiceToken, how `lambda invoke` runs, and how rules deliver (below).
3. EventBridge rules deliver to Lambda targets, asynchronously, with the target's Input when it has
   one (events/models.py Rule.send_to_targets delivers only to logs, SQS and event buses, and
   raises on any other target), and a schedule rule matches no event (moto's empty pattern
   matches every event).
4. CloudFormation creates an AWS::ElasticLoadBalancingV2::LoadBalancer with its Type,
   SubnetMappings and IpAddressType, and answers its LoadBalancerFullName: moto reads only Subnets,
   SecurityGroups and Scheme, so every load balancer it creates from a template is an application
   load balancer, and one with SubnetMappings fails with SubnetNotFound.
5. Elastic Load Balancing creates its network interfaces: one per subnet of a new load balancer,
   with the description AWS gives them ("ELB " and the ARN's resource path, which in moto says app/
   for every type), at the mapping's private IP when it names one, and with the mapping's Elastic
   IP associated, requester-managed by amazon-elb as EC2 describes ELB's interfaces. moto creates
   none.
6. EventBridge runs the schedule rules: each enabled one delivers to its targets every
   SCHEDULE_SECONDS (the sandbox's pace, whatever the rule's rate), the first time a whole period
   after the rule appeared, as a rate starts when its rule is created. moto runs none.
7. DeregisterTargets accepts a target that is no longer registered, as AWS does while it drains;
   moto forgets the target at once and refuses a second deregistration with InvalidTarget.
8. CloudFormation registers the Targets of an AWS::ElasticLoadBalancingV2::TargetGroup when it
   creates the group, as TargetMode alb's groups register the ALB: moto's
   FakeTargetGroup.create_from_cloudformation_json reads the group's settings but not Targets.
9. Elastic Load Balancing's interfaces are requester-managed, with the requester amazon-elb, and
   CreateNetworkInterface with the stand-in tag plays ELB creating one (moto_elb_enis.py); moto
   makes every interface RequesterManaged false.

Nothing else of moto changes; every other call is moto's own.
"""

import json
import sys
import threading
import time
import urllib.request

from moto.awslambda.models import LambdaFunction, lambda_backends
from moto.cloudformation import parsing
from moto.cloudformation.custom_model import CustomModel
from moto.ec2.models import ec2_backends
from moto.elbv2.models import ELBv2Backend, FakeLoadBalancer, FakeTargetGroup
from moto.events.models import Rule, events_backends
from moto.events.utils import EventTemplateParser
from moto.server import main as moto_server_main
from moto_elb_enis import install as install_elb_enis, mark_created_by_elb

# How long the Lambda service may take beyond a function's own timeout to answer an invocation.
INVOCATION_SLACK_SECONDS = 30


def install(lambda_service_url, schedule_seconds):
    # 9. Elastic Load Balancing's interfaces are requester-managed by amazon-elb (moto_elb_enis.py).
    install_elb_enis()
    original_resource_class = parsing.resource_class_from_type

    # 1. https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-cloudformation-customresource.html
    def resource_class_from_type(resource_type):
        if resource_type == "AWS::CloudFormation::CustomResource":
            return CustomModel
        return original_resource_class(resource_type)

    parsing.resource_class_from_type = resource_class_from_type

    # moto reads a stack's exports as it creates the stack, before a custom resource has answered,
    # when its attributes are still None; CloudFormation reads them after. An Fn::Join of such an
    # attribute is None then (moto fails on it), and is read again once the stack is complete.
    original_clean_json = parsing.clean_json

    def clean_json(resource_json, resources_map):
        if isinstance(resource_json, list):
            # AWS::NoValue (an Fn::If's branch) leaves the item out of a list; moto keeps a None.
            items = (clean_json(item, resources_map) for item in resource_json)
            return [item for item in items if item is not None]
        if isinstance(resource_json, dict) and "Fn::Join" in resource_json:
            if original_clean_json(resource_json["Fn::Join"][1], resources_map) is None:
                return None
        return original_clean_json(resource_json, resources_map)

    parsing.clean_json = clean_json

    original_exports = parsing.OutputMap.exports

    def exports(self):
        outputs = self._output_json_map or {}
        held = {
            key: value
            for key, value in outputs.items()
            if "Condition" not in value
            or self._resource_map.lazy_condition_map.get(value["Condition"])
        }
        if len(held) == len(outputs):
            return original_exports.fget(self)
        kept = self._output_json_map
        self._output_json_map = held
        try:
            return original_exports.fget(self)
        finally:
            self._output_json_map = kept

    parsing.OutputMap.exports = property(exports)

    # 2. The sandbox answers {"Payload": str, "Errored": bool, "Logs": str}.
    def invoke_in_sandbox(self, event=None, source=None):
        request = urllib.request.Request(
            lambda_service_url,
            data=json.dumps(
                {
                    "FunctionName": self.function_name,
                    "FunctionArn": self.function_arn,
                    "Handler": self.handler,
                    "Timeout": self.timeout,
                    "MemorySize": self.memory_size,
                    "Environment": self.environment_vars,
                    "Code": self.code,
                    "Event": event if event is not None else {},
                    **({"Source": source} if source else {}),
                }
            ).encode("utf-8"),
            headers={"content-type": "application/json"},
            method="POST",
        )
        timeout = float(self.timeout) + INVOCATION_SLACK_SECONDS
        with urllib.request.urlopen(request, timeout=timeout) as response:
            answer = json.load(response)
        return answer["Payload"], bool(answer["Errored"]), answer.get("Logs", "")

    LambdaFunction._invoke_lambda = invoke_in_sandbox

    # 3. https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-resource-based.html
    #    (EventBridge invokes a Lambda target asynchronously.)
    def deliver_to_lambda(rule, target, original_event):
        if "Input" in target:
            event = json.loads(target["Input"])
        else:
            transformer = target.get("InputTransformer", {})
            event = EventTemplateParser.parse(
                input_template=transformer.get("InputTemplate"),
                input_paths_map=transformer.get("InputPathsMap", {}),
                event=original_event,
            )
        function = lambda_backends[rule.account_id][rule.region_name].get_function(target["Arn"])
        threading.Thread(
            target=invoke_in_sandbox,
            args=(function, event, f"rule/{rule.name}"),
            daemon=True,
        ).start()

    original_send_to_targets = Rule.send_to_targets

    def send_to_targets(self, original_event, transform_input=True):
        # A rule with a schedule and no pattern matches no event (moto's empty pattern matches all).
        if self.scheduled_expression and not self.event_pattern.get_pattern():
            return
        if not self.event_pattern.matches_event(original_event):
            return
        lambda_targets = [t for t in self.targets if ":lambda:" in t["Arn"]]
        for target in lambda_targets:
            deliver_to_lambda(self, target, original_event)
        others = [t for t in self.targets if t not in lambda_targets]
        if others:
            saved = self.targets
            self.targets = others
            try:
                original_send_to_targets(self, original_event, transform_input)
            finally:
                self.targets = saved

    Rule.send_to_targets = send_to_targets

    # 4. https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-elasticloadbalancingv2-loadbalancer.html
    original_get_attribute = FakeLoadBalancer.get_cfn_attribute

    def create_from_cloudformation_json(
        cls, resource_name, cloudformation_json, account_id, region_name, **kwargs
    ):
        from moto.elbv2.models import elbv2_backends

        properties = cloudformation_json["Properties"]
        return elbv2_backends[account_id][region_name].create_load_balancer(
            resource_name,
            properties.get("SecurityGroups") or [],
            properties.get("Subnets") or [],
            subnet_mappings=properties.get("SubnetMappings"),
            scheme=properties.get("Scheme", "internet-facing"),
            loadbalancer_type=properties.get("Type", "application"),
            ip_address_type=properties.get("IpAddressType", "ipv4"),
            tags=properties.get("Tags"),
        )

    def get_cfn_attribute(self, attribute_name):
        if attribute_name == "LoadBalancerFullName":
            return self.arn.split(":loadbalancer/", 1)[1]
        return original_get_attribute(self, attribute_name)

    FakeLoadBalancer.create_from_cloudformation_json = classmethod(
        create_from_cloudformation_json
    )
    FakeLoadBalancer.get_cfn_attribute = get_cfn_attribute

    # 5. https://docs.aws.amazon.com/elasticloadbalancing/latest/network/network-load-balancers.html
    #    (one network interface per enabled subnet, "ELB net/..." or "ELB app/...").
    original_create_load_balancer = ELBv2Backend.create_load_balancer

    def create_load_balancer(self, name, security_groups, subnet_ids, *args, **kwargs):
        load_balancer = original_create_load_balancer(
            self, name, security_groups, subnet_ids, *args, **kwargs
        )
        ec2 = ec2_backends[self.account_id][self.region_name]
        description = "ELB " + load_balancer.arn.split(":loadbalancer/", 1)[1]
        mappings = {m["SubnetId"]: m for m in (kwargs.get("subnet_mappings") or [])}
        for subnet in load_balancer.subnets:
            mapping = mappings.get(subnet.id, {})
            interface = ec2.create_network_interface(
                subnet,
                mapping.get("PrivateIPv4Address"),
                group_ids=security_groups or [],
                description=description,
            )
            mark_created_by_elb(interface, load_balancer.type)
            if mapping.get("AllocationId"):
                ec2.associate_address(eni=interface, allocation_id=mapping["AllocationId"])
        return load_balancer

    ELBv2Backend.create_load_balancer = create_load_balancer

    # 7. https://docs.aws.amazon.com/elasticloadbalancing/latest/network/target-group-register-targets.html
    #    A deregistered target drains, and deregistering it again is accepted: two overlapping
    #    syncs may both deregister a stale IP. moto forgets the target at once and refuses the
    #    second call with InvalidTarget (https://github.com/getmoto/moto/issues/7692).
    def deregister(self, targets):
        for target in targets:
            registered = self.targets.pop(target["Id"], None)
            if registered is not None:
                self.deregistered_targets[target["Id"]] = registered

    FakeTargetGroup.deregister = deregister

    # 8. https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-elasticloadbalancingv2-targetgroup.html
    #    (Targets: "The targets"), registered once the group exists, each on its Port or the group's.
    original_create_target_group = FakeTargetGroup.create_from_cloudformation_json.__func__

    def create_target_group_from_cloudformation_json(
        cls, resource_name, cloudformation_json, account_id, region_name, **kwargs
    ):
        group = original_create_target_group(
            cls, resource_name, cloudformation_json, account_id, region_name, **kwargs
        )
        targets = cloudformation_json["Properties"].get("Targets") or []
        group.register(
            [{"Id": t["Id"], "Port": int(t.get("Port") or group.port)} for t in targets]
        )
        return group

    FakeTargetGroup.create_from_cloudformation_json = classmethod(
        create_target_group_from_cloudformation_json
    )

    # 6. EventBridge runs each enabled schedule rule, here every `schedule_seconds` whatever its
    #    rate (the sandbox's pace); moto runs none. A scheduled event has no detail to transform.
    #    https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-rule-schedule.html
    # A rule seen for the first time waits one period: a rule made just before a tick would
    # otherwise run at once, mid-deploy, ahead of the stack's own custom resource.
    seen = set()

    def run_schedules():
        while True:
            time.sleep(schedule_seconds)
            for regions in list(events_backends.values()):
                for backend in list(regions.values()):
                    for bus in list(backend.event_buses.values()):
                        for rule in list(bus.rules.values()):
                            if not rule.scheduled_expression or rule.state != "ENABLED":
                                continue
                            if rule.arn not in seen:
                                seen.add(rule.arn)
                                continue
                            for target in rule.targets:
                                if ":lambda:" in target["Arn"]:
                                    deliver_to_lambda(rule, target, {})

    threading.Thread(target=run_schedules, daemon=True).start()


if __name__ == "__main__":
    if len(sys.argv) != 4:
        print(__doc__.strip(), file=sys.stderr)
        sys.exit(2)
    install(sys.argv[2], float(sys.argv[3]))
    moto_server_main(["-H", "127.0.0.1", "-p", sys.argv[1]])
