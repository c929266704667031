import { describe, expect, it } from 'vitest';
import {
  ipsOutsideVpcRanges,
  isInOutsideVpcRange,
  OUTSIDE_VPC_RANGES,
} from '../../functions/target-group-sync/outside-vpc-ranges.js';

// The addresses Elastic Load Balancing registers as IP targets from outside the target group's VPC.

describe('Function: isInOutsideVpcRange', () => {
  it.each([
    // 10.0.0.0/8
    ['9.255.255.255', false],
    ['10.0.0.0', true],
    ['10.255.255.255', true],
    ['11.0.0.0', false],
    // 172.16.0.0/12
    ['172.15.255.255', false],
    ['172.16.0.0', true],
    ['172.31.255.255', true],
    ['172.32.0.0', false],
    // 192.168.0.0/16
    ['192.167.255.255', false],
    ['192.168.0.0', true],
    ['192.168.255.255', true],
    ['192.169.0.0', false],
    // 100.64.0.0/10
    ['100.63.255.255', false],
    ['100.64.0.0', true],
    ['100.127.255.255', true],
    ['100.128.0.0', false],
  ])('says %s is %s', (ip, inRange) => {
    expect(isInOutsideVpcRange(ip)).toBe(inRange);
  });

  it.each(['52.95.110.1', '0.0.0.0', '255.255.255.255'])(
    'refuses the publicly routable or special address %s',
    (ip) => {
      expect(isInOutsideVpcRange(ip)).toBe(false);
    },
  );

  it.each(['::ffff:10.0.0.1', 'fd00::1', '10.0.0', '10.0.0.256', ' 10.0.0.1', ''])(
    'finds %j in none of the ranges, which are IPv4 ranges',
    (ip) => {
      expect(isInOutsideVpcRange(ip)).toBe(false);
    },
  );

  it('names the ranges as the guide does, RFC 1918 first, then RFC 6598', () => {
    expect(OUTSIDE_VPC_RANGES).toEqual([
      '10.0.0.0/8',
      '172.16.0.0/12',
      '192.168.0.0/16',
      '100.64.0.0/10',
    ]);
  });
});

describe('Function: ipsOutsideVpcRanges', () => {
  it('lists only the IPs outside the VPC that are in none of the ranges, in the order given', () => {
    // Prepare: a public address inside the VPC is registered like any of its addresses
    const discovered = [
      { privateIp: '52.95.110.1', vpcId: 'vpc-peered' },
      { privateIp: '52.95.110.2', vpcId: 'vpc-nlb' },
      { privateIp: '172.16.0.5', vpcId: 'vpc-peered' },
      { privateIp: '100.128.0.5', vpcId: 'vpc-peered' },
      { privateIp: '100.128.0.6', vpcId: 'vpc-nlb' },
    ];

    // Act
    const outside = ipsOutsideVpcRanges(discovered, 'vpc-nlb');

    // Assess
    expect(outside).toEqual([
      { privateIp: '52.95.110.1', vpcId: 'vpc-peered' },
      { privateIp: '100.128.0.5', vpcId: 'vpc-peered' },
    ]);
  });

  it('lists nothing when every IP outside the VPC is in a range', () => {
    const discovered = [
      { privateIp: '10.1.0.5', vpcId: 'vpc-peered' },
      { privateIp: '100.64.0.5', vpcId: 'vpc-peered' },
      { privateIp: '52.95.110.2', vpcId: 'vpc-nlb' },
    ];

    expect(ipsOutsideVpcRanges(discovered, 'vpc-nlb')).toEqual([]);
  });
});
