import { generateKeyPairSync } from "node:crypto";
import { readFileSync } from "node:fs";
import sshpk from "sshpk";
import { loadPublicKey, parsePublicKey } from "../modules/keypair/public-key";

/** A fresh OpenSSH public key line of the given kind, made in memory. */
function opensshKey(kind: "ed25519" | "rsa" | "dsa", bits = 2048, comment = "you@laptop"): string {
  const { publicKey } =
    kind === "ed25519"
      ? generateKeyPairSync("ed25519")
      : kind === "rsa"
        ? generateKeyPairSync("rsa", { modulusLength: bits })
        : generateKeyPairSync("dsa", { modulusLength: 2048, divisorLength: 256 });
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
    expect(parsePublicKey(opensshKey("rsa", 1024))).toHaveProperty(
      "problem.expected",
      "an RSA key of 2048 to 4096 bits (this one has 1024); ssh-keygen -t ed25519 makes a better one",
    );
  });

  it("agrees with sshpk and ssh-keygen on type, size and fingerprint", () => {
    // sshpk (a dev dependency here) is an independent reading of the same format.
    for (const [kind, bits] of [
      ["ed25519", 256],
      ["rsa", 2048],
      ["rsa", 3072],
      ["rsa", 4096],
    ] as const) {
      const line = opensshKey(kind, bits);
      const oracle = sshpk.parseKey(line, "ssh");
      expect(parsePublicKey(line)).toEqual({
        key: { type: `ssh-${kind}`, bits: oracle.size, line, fingerprint: oracle.fingerprint("sha256").toString() },
      });
      expect(oracle.size).toBe(bits);
    }
    // What `ssh-keygen -lf keys/workshop-placeholder.pub` printed for the committed key.
    expect(loadPublicKey({ path: "keys/workshop-placeholder.pub" })).toHaveProperty(
      "key.fingerprint",
      "SHA256:LUwQ7x2WxajzBanYOuqO7nMWnKzdo215xycNZ6ibXIM",
    );
  });

  it("refuses key types EC2 does not import", () => {
    expect(parsePublicKey(opensshKey("dsa"))).toHaveProperty(
      "problem.expected",
      "an Ed25519 or RSA key, the types EC2 imports (this one is dsa)",
    );
    const { publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const ecdsa = sshpk.parseKey(publicKey.export({ type: "spki", format: "pem" }).toString(), "pem").toString("ssh");
    expect(parsePublicKey(ecdsa)).toHaveProperty(
      "problem.expected",
      "an Ed25519 or RSA key, the types EC2 imports (this one is ecdsa)",
    );
  });

  it("refuses a private key without echoing it", () => {
    const { privateKey } = generateKeyPairSync("ed25519");
    const pem = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
    const parsed = parsePublicKey(pem);
    expect(parsed).toEqual({
      problem: {
        field: "sshPublicKey.text",
        value: "(a private key, redacted)",
        expected: "a PUBLIC key: this is a private key, which must never leave your machine; give the .pub file",
      },
    });
    const loaded = loadPublicKey({ text: pem });
    expect(JSON.stringify(loaded)).not.toContain(pem.split("\n")[1]);
  });

  it("refuses two keys, no key, and a damaged key", () => {
    const line = opensshKey("ed25519");
    expect(parsePublicKey(`${line}\n${line}\n`)).toHaveProperty(
      "problem.expected",
      expect.stringContaining("found 2 key lines"),
    );
    expect(parsePublicKey("# only a comment\n")).toHaveProperty(
      "problem.expected",
      expect.stringContaining("found 0 key lines"),
    );
    expect(parsePublicKey(line.replace(/AAAA(.{10})/, "AAAA"))).toHaveProperty(
      "problem.expected",
      expect.stringMatching(/^an OpenSSH public key line/),
    );
  });

  it("names what is wrong with damaged key data", () => {
    const [type, data, comment] = opensshKey("ed25519").split(" ");
    const blob = Buffer.from(data, "base64");
    const damaged = (bytes: Buffer, lineType = type) =>
      parsePublicKey(`${lineType} ${bytes.toString("base64")} ${comment}`);
    expect(parsePublicKey(`${type}`)).toHaveProperty("problem.expected", expect.stringContaining("no base64 key data"));
    expect(parsePublicKey(`${type} not*base64 ${comment}`)).toHaveProperty(
      "problem.expected",
      expect.stringContaining("no base64"),
    );
    expect(damaged(blob.subarray(0, blob.length - 1))).toHaveProperty(
      "problem.expected",
      expect.stringContaining("cut short"),
    );
    expect(damaged(blob, "ssh-rsa")).toHaveProperty(
      "problem.expected",
      expect.stringContaining("the key data is a ssh-ed25519 key, the line says ssh-rsa"),
    );
    // A 31-byte point: the right framing, the wrong key.
    const short = Buffer.concat([blob.subarray(0, 4 + 11), Buffer.from([0, 0, 0, 31]), blob.subarray(19, 50)]);
    expect(damaged(short)).toHaveProperty(
      "problem.expected",
      expect.stringContaining("an Ed25519 key is one 32-byte point"),
    );
    const rsa = opensshKey("rsa").split(" ");
    const rsaBlob = Buffer.from(rsa[1], "base64");
    expect(damaged(rsaBlob.subarray(0, 4 + 7 + 4 + 3), "ssh-rsa")).toHaveProperty(
      "problem.expected",
      expect.stringContaining("an RSA key is an exponent and a modulus"),
    );
  });

  it("reads the committed placeholder key", () => {
    const loaded = loadPublicKey({ path: "keys/workshop-placeholder.pub" });
    expect(loaded).toHaveProperty("key.type", "ssh-ed25519");
    expect(loaded).toHaveProperty("key.line", readFileSync("keys/workshop-placeholder.pub", "utf8").trim());
  });
});
