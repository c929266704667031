import {
  DescribeListenersCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { listenerPorts } from '../../functions/nlb-private-ips/listener-ports.js';
import { AwsCallError } from '../../functions/shared/errors.js';
import { LIVE } from '../support/signals.js';

const NLB =
  'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/net/n/7d4e3c2b1a098f6e';
const elbMock = mockClient(ElasticLoadBalancingV2Client);

beforeEach(() => {
  elbMock.reset();
});

describe('Function: listenerPorts', () => {
  it('reads every page and returns each port once, ascending', async () => {
    // Prepare: the paginator reuses one input object, so each request is copied as it is sent
    const pages = [
      { Listeners: [{ Port: 443 }, { Port: 80 }], NextMarker: 'm2' },
      { Listeners: [{ Port: 8443 }, { Port: 443 }] },
    ];
    const markers: (string | undefined)[] = [];
    elbMock.on(DescribeListenersCommand).callsFake((input) => {
      markers.push(input.Marker);
      return pages[markers.length - 1];
    });

    // Act
    const ports = await listenerPorts(new ElasticLoadBalancingV2Client({}), NLB, LIVE);

    // Assess
    expect(ports).toEqual([80, 443, 8443]);
    expect(markers).toEqual([undefined, 'm2']);
    expect(elbMock).toHaveReceivedCommandWith(DescribeListenersCommand, { LoadBalancerArn: NLB });
  });

  it('says which call failed', async () => {
    elbMock
      .on(DescribeListenersCommand)
      .rejects(Object.assign(new Error('denied'), { name: 'AccessDenied' }));
    await expect(listenerPorts(new ElasticLoadBalancingV2Client({}), NLB, LIVE)).rejects.toThrow(
      AwsCallError,
    );
    await expect(listenerPorts(new ElasticLoadBalancingV2Client({}), NLB, LIVE)).rejects.toThrow(
      `DescribeListeners for ${NLB} failed: AccessDenied: denied`,
    );
  });
});
