import { Construct } from "constructs";
import { Instance } from "@cdktf/provider-aws/lib/instance";
import { Eip } from "@cdktf/provider-aws/lib/eip";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { VpcSecurityGroupEgressRule } from "@cdktf/provider-aws/lib/vpc-security-group-egress-rule";
import { AmiSource, resolveAmiId } from "../ami/ami";

export interface NatInstanceConstructProps {
  /** Environment name, for Name tags. */
  readonly environment: string;
  readonly vpcId: string;
  /** Only traffic from inside the VPC is forwarded. */
  readonly vpcCidr: string;
  /** A public subnet. */
  readonly subnetId: string;
  readonly az: string;
  readonly ami: AmiSource;
  readonly instanceType: string;
}

/**
 * Forwarding and masquerading for a NAT instance, made to survive reboots: the sysctl and the iptables rule are
 * written to files that load at boot. Works on Amazon Linux 2023 and other systemd distributions with dnf or apt.
 */
export const NAT_INSTANCE_USER_DATA = `#!/bin/bash
set -euo pipefail
cat > /etc/sysctl.d/90-nat-instance.conf <<'CONF'
net.ipv4.ip_forward = 1
net.ipv4.conf.all.send_redirects = 0
CONF
sysctl --system
if command -v dnf >/dev/null; then dnf install -y iptables-services; else apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y iptables-persistent; fi
iface=$(ip route show default | awk '{print $5; exit}')
iptables -t nat -C POSTROUTING -o "$iface" -j MASQUERADE 2>/dev/null || iptables -t nat -A POSTROUTING -o "$iface" -j MASQUERADE
iptables -P FORWARD ACCEPT
iptables -F FORWARD
if command -v dnf >/dev/null; then iptables-save > /etc/sysconfig/iptables; systemctl enable --now iptables; else iptables-save > /etc/iptables/rules.v4; fi
`;

/** The NAT instance's own settings, shared with the generated Terraform module (modules/terraform-module). */
export const NAT_INSTANCE_SETTINGS = {
  // A NAT forwards packets that are neither from nor to itself.
  sourceDestCheck: false,
  associatePublicIpAddress: false,
  metadataOptions: { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1 },
  rootBlockDevice: { encrypted: true, volumeType: "gp3" },
  userData: NAT_INSTANCE_USER_DATA,
  userDataReplaceOnChange: true,
};

/** One NAT instance with its security group and Elastic IP: the cheap, single-instance egress for private tiers. */
export class NatInstance extends Construct {
  readonly instance: Instance;
  readonly eip: Eip;
  readonly securityGroup: SecurityGroup;

  constructor(scope: Construct, id: string, props: NatInstanceConstructProps) {
    super(scope, id);
    const tags = { Name: `${props.environment}-nat-instance-${props.az}` };
    this.securityGroup = new SecurityGroup(this, "SecurityGroup", {
      name: `${props.environment}-nat-instance-${props.az}`,
      description: "NAT instance: forwards traffic from inside the VPC",
      vpcId: props.vpcId,
      tags,
    });
    new VpcSecurityGroupIngressRule(this, "FromVpc", {
      securityGroupId: this.securityGroup.id,
      description: "All traffic from inside the VPC, to be forwarded",
      ipProtocol: "-1",
      cidrIpv4: props.vpcCidr,
    });
    new VpcSecurityGroupEgressRule(this, "ToInternet", {
      securityGroupId: this.securityGroup.id,
      description: "Forwarded traffic out to the internet",
      ipProtocol: "-1",
      cidrIpv4: "0.0.0.0/0",
    });
    this.instance = new Instance(this, "Instance", {
      ami: resolveAmiId(this, "Ami", props.ami),
      instanceType: props.instanceType,
      subnetId: props.subnetId,
      vpcSecurityGroupIds: [this.securityGroup.id],
      ...NAT_INSTANCE_SETTINGS,
      tags,
    });
    this.eip = new Eip(this, "Eip", { domain: "vpc", instance: this.instance.id, tags });
  }
}
