import { generateKeyPairSync } from "node:crypto";
import sshpk from "sshpk";

/** A fresh ed25519 public key line, `ssh-ed25519 AAAA... comment`: a user's own key, not the placeholder. */
export function ownPublicKeyLine(comment = "me@laptop"): string {
  const { publicKey } = generateKeyPairSync("ed25519");
  const key = sshpk.parseKey(publicKey.export({ type: "spki", format: "pem" }).toString(), "pem");
  return `${key.toString("ssh")} ${comment}`;
}
