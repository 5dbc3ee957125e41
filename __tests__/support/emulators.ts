import type { AddressInfo } from "node:net";
import { mkdirSync } from "node:fs";
import S3rver from "s3rver";
import dynalite from "dynalite";
import { CreateBucketCommand, S3Client } from "@aws-sdk/client-s3";
import { CreateTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";

/** The only keys s3rver accepts; dynalite takes any. */
export const EMULATOR_CREDENTIALS = { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" };

/** s3rver (S3) and dynalite (DynamoDB) on 127.0.0.1, each on a free port, with SDK clients pointed at them. */
export interface Emulators {
  readonly s3Endpoint: string;
  readonly dynamodbEndpoint: string;
  readonly s3: S3Client;
  readonly dynamodb: DynamoDBClient;
  /** Creates a bucket and a Terraform lock table (`LockID` string hash key). */
  createStateStore(bucket: string, lockTable: string): Promise<void>;
  /** Closes the clients and both servers. */
  stop(): Promise<void>;
}

/** Starts both emulators; s3rver keeps its objects under `dir`. */
export async function startEmulators(dir: string, region: string): Promise<Emulators> {
  mkdirSync(dir, { recursive: true });
  const s3rver = new S3rver({ address: "127.0.0.1", port: 0, directory: dir, silent: true });
  const s3Address = await s3rver.run();
  const ddbServer = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    ddbServer.once("error", reject);
    ddbServer.listen(0, "127.0.0.1", () => resolve());
  });
  const s3Endpoint = `http://127.0.0.1:${s3Address.port}`;
  const dynamodbEndpoint = `http://127.0.0.1:${(ddbServer.address() as AddressInfo).port}`;
  // The SDK only talks to the emulators here; its notice about dropping Node 20 in 2027 is noise in test output.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";
  const common = { region, credentials: EMULATOR_CREDENTIALS, maxAttempts: 1 };
  const s3 = new S3Client({
    ...common,
    endpoint: s3Endpoint,
    forcePathStyle: true,
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
  });
  const dynamodb = new DynamoDBClient({ ...common, endpoint: dynamodbEndpoint });
  return {
    s3Endpoint,
    dynamodbEndpoint,
    s3,
    dynamodb,
    async createStateStore(bucket, lockTable) {
      await s3.send(new CreateBucketCommand({ Bucket: bucket }));
      await dynamodb.send(
        new CreateTableCommand({
          TableName: lockTable,
          BillingMode: "PAY_PER_REQUEST",
          KeySchema: [{ AttributeName: "LockID", KeyType: "HASH" }],
          AttributeDefinitions: [{ AttributeName: "LockID", AttributeType: "S" }],
        }),
      );
    },
    async stop() {
      s3.destroy();
      dynamodb.destroy();
      await s3rver.close();
      await new Promise<void>((resolve) => ddbServer.close(() => resolve()));
    },
  };
}
