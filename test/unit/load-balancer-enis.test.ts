import { DescribeNetworkInterfacesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  discoverLoadBalancerEnis,
  isElbManaged,
  lookalikesLogged,
} from '../../functions/shared/load-balancer-enis.js';
import { CREATED_BY_ELB } from '../support/elb-eni.js';
import { LIVE, optionsSent } from '../support/signals.js';

const DESCRIPTION = 'ELB net/web-static/7d4e3c2b1a098f6e';
const ec2Mock = mockClient(EC2Client);

beforeEach(() => {
  ec2Mock.reset();
});

const eni = (ip: string, extra: Record<string, unknown> = CREATED_BY_ELB) => ({
  NetworkInterfaceId: `eni-${ip.replaceAll('.', '')}`,
  Description: DESCRIPTION,
  PrivateIpAddress: ip,
  VpcId: 'vpc-1',
  AvailabilityZone: 'us-east-1a',
  ...extra,
});

const discover = () =>
  discoverLoadBalancerEnis(new EC2Client({}), { eniDescription: DESCRIPTION }, LIVE);

describe('Function: isElbManaged', () => {
  it('is true only for an interface requester-managed by amazon-elb', () => {
    expect(isElbManaged({ RequesterManaged: true, RequesterId: 'amazon-elb' })).toBe(true);
    expect(isElbManaged({ RequesterManaged: false, RequesterId: 'amazon-elb' })).toBe(false);
    expect(isElbManaged({ RequesterId: 'amazon-elb' })).toBe(false);
    expect(isElbManaged({ RequesterManaged: true, RequesterId: 'amazon-rds' })).toBe(false);
    expect(isElbManaged({ RequesterManaged: true, RequesterId: '123456789012' })).toBe(false);
    expect(isElbManaged({ RequesterManaged: true })).toBe(false);
    expect(isElbManaged({})).toBe(false);
  });
});

describe('Function: discoverLoadBalancerEnis', () => {
  it('asks for the exact description only, so that lookalikes reach the check and are counted', async () => {
    ec2Mock.on(DescribeNetworkInterfacesCommand).resolves({ NetworkInterfaces: [] });

    await discover();

    expect(ec2Mock).toHaveReceivedCommandTimes(DescribeNetworkInterfacesCommand, 1);
    expect(ec2Mock.commandCalls(DescribeNetworkInterfacesCommand)[0]?.args[0].input).toEqual({
      Filters: [{ Name: 'description', Values: [DESCRIPTION] }],
      MaxResults: 1000,
    });
  });

  it('sends every page with the signal it was given, so a page in flight is cancelled', async () => {
    const signal = new AbortController().signal;
    ec2Mock
      .on(DescribeNetworkInterfacesCommand)
      .resolvesOnce({ NetworkInterfaces: [eni('10.0.0.1')], NextToken: 'page-2' })
      .resolves({ NetworkInterfaces: [eni('10.0.0.2')] });

    const { enis } = await discoverLoadBalancerEnis(
      new EC2Client({}),
      { eniDescription: DESCRIPTION },
      signal,
    );

    expect(enis).toHaveLength(2);
    expect(optionsSent(ec2Mock.calls(), signal)).toEqual([
      { abortSignal: 'the signal' },
      { abortSignal: 'the signal' },
    ]);
  });

  it("keeps Elastic Load Balancing's interfaces and sets every other one apart, sorted by IP", async () => {
    // Prepare: four that anyone allowed ec2:CreateNetworkInterface could make, one of another
    // service, and two of Elastic Load Balancing's
    ec2Mock.on(DescribeNetworkInterfacesCommand).resolves({
      NetworkInterfaces: [
        eni('10.0.0.20'),
        eni('10.0.0.9', { RequesterManaged: false, RequesterId: '123456789012' }),
        eni('10.0.0.3', { RequesterId: 'AIDAEXAMPLE' }),
        eni('10.0.0.100', { RequesterManaged: true, RequesterId: 'amazon-rds' }),
        eni('10.0.0.4', { RequesterManaged: false, RequesterId: 'amazon-elb' }),
        eni('10.0.0.8', {}),
        eni('10.0.0.2'),
      ],
    });

    const { enis, lookalikes } = await discover();

    expect(enis).toEqual([
      {
        networkInterfaceId: 'eni-10002',
        privateIp: '10.0.0.2',
        vpcId: 'vpc-1',
        availabilityZone: 'us-east-1a',
      },
      {
        networkInterfaceId: 'eni-100020',
        privateIp: '10.0.0.20',
        vpcId: 'vpc-1',
        availabilityZone: 'us-east-1a',
      },
    ]);
    expect(lookalikes).toEqual([
      {
        networkInterfaceId: 'eni-10003',
        privateIp: '10.0.0.3',
        requesterId: 'AIDAEXAMPLE',
        requesterManaged: false,
      },
      {
        networkInterfaceId: 'eni-10004',
        privateIp: '10.0.0.4',
        requesterId: 'amazon-elb',
        requesterManaged: false,
      },
      {
        networkInterfaceId: 'eni-10008',
        privateIp: '10.0.0.8',
        requesterId: '',
        requesterManaged: false,
      },
      {
        networkInterfaceId: 'eni-10009',
        privateIp: '10.0.0.9',
        requesterId: '123456789012',
        requesterManaged: false,
      },
      {
        networkInterfaceId: 'eni-1000100',
        privateIp: '10.0.0.100',
        requesterId: 'amazon-rds',
        requesterManaged: true,
      },
    ]);
  });

  it('counts as a lookalike neither an interface of another description nor one without an IP', async () => {
    ec2Mock.on(DescribeNetworkInterfacesCommand).resolves({
      NetworkInterfaces: [
        eni('10.0.0.1', { Description: 'ELB net/web-static-2/7d4e3c2b1a098f6e' }),
        { ...eni('10.0.0.2', {}), PrivateIpAddress: undefined },
        eni('10.0.0.3'),
      ],
    });

    const { enis, lookalikes } = await discover();

    expect(enis.map(({ privateIp }) => privateIp)).toEqual(['10.0.0.3']);
    expect(lookalikes).toEqual([]);
  });

  it('reads the secondary private IPs of an interface, each once and sorted, without the primary', async () => {
    ec2Mock.on(DescribeNetworkInterfacesCommand).resolves({
      NetworkInterfaces: [
        eni('10.0.0.5', {
          ...CREATED_BY_ELB,
          PrivateIpAddresses: [
            { PrivateIpAddress: '10.0.0.5', Primary: true },
            { PrivateIpAddress: '10.0.0.40', Primary: false },
            { PrivateIpAddress: '10.0.0.7', Primary: false },
            { PrivateIpAddress: '10.0.0.40', Primary: false },
            { Primary: false },
          ],
        }),
        eni('10.0.0.6', {
          ...CREATED_BY_ELB,
          PrivateIpAddresses: [{ PrivateIpAddress: '10.0.0.6', Primary: true }],
        }),
      ],
    });

    const { enis } = await discover();

    expect(enis.map(({ privateIp, secondaryIps }) => ({ privateIp, secondaryIps }))).toEqual([
      { privateIp: '10.0.0.5', secondaryIps: ['10.0.0.7', '10.0.0.40'] },
      { privateIp: '10.0.0.6', secondaryIps: undefined },
    ]);
    expect(enis[1]).not.toHaveProperty('secondaryIps');
  });

  it('fills in what an answer leaves out, so that nothing is undefined', async () => {
    ec2Mock.on(DescribeNetworkInterfacesCommand).resolves({
      NetworkInterfaces: [
        { Description: DESCRIPTION, PrivateIpAddress: '10.0.0.1', ...CREATED_BY_ELB },
        { Description: DESCRIPTION, PrivateIpAddress: '10.0.0.2' },
      ],
    });

    const { enis, lookalikes } = await discover();

    expect(enis).toEqual([
      { networkInterfaceId: '', privateIp: '10.0.0.1', vpcId: '', availabilityZone: '' },
    ]);
    expect(lookalikes).toEqual([
      { networkInterfaceId: '', privateIp: '10.0.0.2', requesterId: '', requesterManaged: false },
    ]);
  });
});

describe('Function: lookalikesLogged', () => {
  it('counts every lookalike and names the first five with who made them', () => {
    const lookalikes = [1, 2, 3, 4, 5, 6, 7].map((index) => ({
      networkInterfaceId: `eni-${index}`,
      privateIp: `10.0.9.${index}`,
      requesterId: index === 1 ? '' : '111122223333',
      requesterManaged: false,
    }));

    expect(lookalikesLogged(lookalikes)).toEqual({
      lookalikeCount: 7,
      lookalikes:
        'eni-1 10.0.9.1 (requester none), eni-2 10.0.9.2 (requester 111122223333), eni-3 10.0.9.3 (requester 111122223333), eni-4 10.0.9.4 (requester 111122223333), eni-5 10.0.9.5 (requester 111122223333), and 2 more',
    });
  });
});
