import { Construct } from "constructs";
import { Fn } from "cdktf";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { FlowLog } from "@cdktf/provider-aws/lib/flow-log";

export interface FlowLogsConstructProps {
  /** Environment name, for resource names. */
  readonly environment: string;
  readonly vpcId: string;
  /** Days CloudWatch keeps the events. */
  readonly retentionDays: number;
  /** ALL, ACCEPT or REJECT. */
  readonly trafficType: string;
  /** KMS key ARN that encrypts the log group. @default none: CloudWatch Logs' own encryption */
  readonly kmsKeyArn?: string;
}

/** Who may assume the flow logs' role: the VPC flow logs service. Shared with the generated Terraform module. */
export const FLOW_LOGS_ASSUME_ROLE_POLICY = {
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Principal: { Service: "vpc-flow-logs.amazonaws.com" }, Action: "sts:AssumeRole" }],
};

/** What the flow logs' role may do on its log group. Shared with the generated Terraform module. */
export const FLOW_LOGS_ACTIONS = [
  "logs:CreateLogStream",
  "logs:PutLogEvents",
  "logs:DescribeLogGroups",
  "logs:DescribeLogStreams",
];

/** VPC flow logs delivered to a CloudWatch log group through a role that may write only to that group. */
export class FlowLogs extends Construct {
  readonly logGroup: CloudwatchLogGroup;
  readonly flowLog: FlowLog;

  constructor(scope: Construct, id: string, props: FlowLogsConstructProps) {
    super(scope, id);
    this.logGroup = new CloudwatchLogGroup(this, "LogGroup", {
      name: `/vpc/${props.environment}/flow-logs`,
      retentionInDays: props.retentionDays,
      kmsKeyId: props.kmsKeyArn,
    });
    // Policy JSON written out here: a data source would need AWS at plan time.
    const role = new IamRole(this, "Role", {
      name: `${props.environment}-vpc-flow-logs`,
      assumeRolePolicy: JSON.stringify(FLOW_LOGS_ASSUME_ROLE_POLICY),
    });
    new IamRolePolicy(this, "Policy", {
      role: role.id,
      name: "write-flow-logs",
      policy: Fn.jsonencode({
        Version: "2012-10-17",
        Statement: [
          {
            Effect: "Allow",
            Action: FLOW_LOGS_ACTIONS,
            Resource: [this.logGroup.arn, `${this.logGroup.arn}:*`],
          },
        ],
      }),
    });
    this.flowLog = new FlowLog(this, "FlowLog", {
      vpcId: props.vpcId,
      trafficType: props.trafficType,
      logDestinationType: "cloud-watch-logs",
      logDestination: this.logGroup.arn,
      iamRoleArn: role.arn,
      maxAggregationInterval: 60,
      tags: { Name: `${props.environment}-flow-logs` },
    });
  }
}
