"""moto_server with Elastic Load Balancing's network interfaces as EC2 describes them.

Usage: python3 sandbox/moto_elb_enis.py -H 127.0.0.1 -p PORT   (moto_server's own arguments)

Every interface moto 5.2.1 creates says RequesterManaged false and RequesterId
"AIDAIT2UOQQY3AUEMOTO" (moto/ec2/models/elastic_network_interfaces.py), and no call can change
that. On AWS, an interface Elastic Load Balancing creates for a load balancer is requester-managed,
with the requester "amazon-elb", and nobody can create one like it or change those attributes
(https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/requester-managed-eni.html). The discovery of
alb-static-ip trusts only such interfaces, so the emulator must be able to make them:

- CreateNetworkInterface with the tag `moto-stand-in:requester` = `amazon-elb` (in
  TagSpecifications) plays Elastic Load Balancing creating a node's interface: the interface is
  requester-managed by amazon-elb, and the tag is dropped, as no such tag exists on AWS. A test or
  the sandbox uses it where ELB would act; an interface created without it is what any principal
  of the account could create, a lookalike when it copies a load balancer's description.
- mark_created_by_elb(interface) marks the interfaces the sandbox's load balancers get when they
  are created (moto_sandbox.py, 5).

The filters `requester-managed` and `requester-id` need nothing here: moto answers them from the
attributes of the same names (moto/ec2/models/core.py, TaggedEC2Resource.get_filter_value).
The sandbox (moto_sandbox.py) installs this too. Nothing else of moto changes.
"""

import sys

from moto.ec2.models.elastic_network_interfaces import NetworkInterfaceBackend
from moto.server import main as moto_server_main

#: The tag that asks the stand-in to play Elastic Load Balancing. Never sent to AWS.
STAND_IN_TAG = "moto-stand-in:requester"
#: The requester of every interface Elastic Load Balancing creates.
ELB_REQUESTER_ID = "amazon-elb"


def mark_created_by_elb(interface, load_balancer_type="application"):
    """Makes the interface one that Elastic Load Balancing created, as EC2 describes it."""
    interface.requester_managed = True
    interface.requester_id = ELB_REQUESTER_ID
    # An NLB's nodes are of their own type; an ALB's are plain interfaces.
    if load_balancer_type == "network":
        interface.interface_type = "network_load_balancer"


def install():
    original_create = NetworkInterfaceBackend.create_network_interface

    # moto's CreateNetworkInterface passes the tags as the sixth argument (responses/
    # elastic_network_interfaces.py): subnet, private IP, private IPs, groups, description, tags.
    def create_network_interface(self, *args, **kwargs):
        tags = kwargs.get("tags", args[5] if len(args) > 5 else None)
        # Taken out before moto stores the tags: no such tag exists on AWS.
        requester = tags.pop(STAND_IN_TAG, None) if tags else None
        interface = original_create(self, *args, **kwargs)
        if requester == ELB_REQUESTER_ID:
            mark_created_by_elb(interface)
        return interface

    NetworkInterfaceBackend.create_network_interface = create_network_interface


if __name__ == "__main__":
    install()
    moto_server_main(sys.argv[1:])
