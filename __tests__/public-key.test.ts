import { generateKeyPairSync } from "node:crypto";
import { readFileSync } from "node:fs";
import sshpk from "sshpk";
import { loadPublicKey, parsePublicKey } from "../modules/keypair/public-key";

/** A fresh OpenSSH public key line of the given kind, made in memory. */
function opensshKey(kind: "ed25519" | "rsa", bits = 2048, comment = "you@laptop"): string {
  const { publicKey } =
    kind === "ed25519" ? generateKeyPairSync("ed25519") : generateKeyPairSync("rsa", { modulusLength: bits });
  const key = sshpk.parseKey(publicKey.export({ type: "spki", format: "pem" }).toString(), "pem");
  key.comment = comment;
  return key.toString("ssh");
}

describe("parsePublicKey", () => {
  it("accepts an Ed25519 key and gives its OpenSSH fingerprint", () => {
    const line = opensshKey("ed25519");
    const parsed = parsePublicKey(`${line}\n`);
    expect(parsed).toEqual({
      key: { type: "ssh-ed25519", bits: 256, line, fingerprint: expect.stringMatching(/^SHA256:[A-Za-z0-9+/]{43}$/) },
    });
  });

  it("accepts RSA from 2048 bits and refuses 1024", () => {
    expect(parsePublicKey(opensshKey("rsa", 2048))).toHaveProperty("key.type", "ssh-rsa");
    expect(parsePublicKey(opensshKey("rsa", 1024))).toEqual({
      problem: "an RSA key of 2048 to 4096 bits (this one has 1024); ssh-keygen -t ed25519 makes a better one",
    });
  });

  it("refuses key types EC2 does not import", () => {
    const { publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const ecdsa = sshpk.parseKey(publicKey.export({ type: "spki", format: "pem" }).toString(), "pem").toString("ssh");
    expect(parsePublicKey(ecdsa)).toEqual({
      problem: "an Ed25519 or RSA key, the types EC2 imports (this one is ecdsa)",
    });
  });

  it("refuses a private key without echoing it", () => {
    const { privateKey } = generateKeyPairSync("ed25519");
    const pem = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
    const parsed = parsePublicKey(pem);
    expect(parsed).toEqual({
      problem: "a PUBLIC key: this is a private key, which must never leave your machine; give the .pub file",
    });
    const loaded = loadPublicKey({ text: pem });
    expect(JSON.stringify(loaded)).not.toContain(pem.split("\n")[1]);
  });

  it("refuses two keys, no key, and a damaged key", () => {
    const line = opensshKey("ed25519");
    expect(parsePublicKey(`${line}\n${line}\n`)).toHaveProperty(
      "problem",
      expect.stringContaining("found 2 key lines"),
    );
    expect(parsePublicKey("# only a comment\n")).toHaveProperty(
      "problem",
      expect.stringContaining("found 0 key lines"),
    );
    expect(parsePublicKey(line.replace(/AAAA(.{10})/, "AAAA"))).toHaveProperty(
      "problem",
      expect.stringMatching(/^an OpenSSH public key line/),
    );
  });

  it("reads the committed placeholder key", () => {
    const loaded = loadPublicKey({ path: "keys/workshop-placeholder.pub" });
    expect(loaded).toHaveProperty("key.type", "ssh-ed25519");
    expect(loaded).toHaveProperty("key.line", readFileSync("keys/workshop-placeholder.pub", "utf8").trim());
  });
});
