import { Construct } from "constructs";
import { KeyPair } from "@cdktf/provider-aws/lib/key-pair";
import { PublicKeyInfo } from "./public-key";

/** What an `AdminKeyPair` needs: the environment it is named after and the admins' public key. */
export interface AdminKeyPairProps {
  /** Environment name: the key pair is named `<environment>-admin`. */
  readonly environment: string;
  /** The checked public key (see `loadPublicKey`); only the public half ever reaches Terraform. */
  readonly publicKey: PublicKeyInfo;
}

/** The EC2 key pair the admins log in with, imported from their own public key: no private key is made or stored. */
export class AdminKeyPair extends Construct {
  readonly keyPair: KeyPair;

  constructor(scope: Construct, id: string, props: AdminKeyPairProps) {
    super(scope, id);
    this.keyPair = new KeyPair(this, "KeyPair", {
      keyName: `${props.environment}-admin`,
      publicKey: props.publicKey.line,
      tags: { Name: `${props.environment}-admin`, Fingerprint: props.publicKey.fingerprint },
    });
  }

  /** The key pair's name, for an instance's `keyName`. */
  get keyName(): string {
    return this.keyPair.keyName;
  }
}
