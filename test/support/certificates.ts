// Test certificates made with openssl: a CA (ca.pem, ca.key) and, for each
// name, <name>.pem and <name>.key signed by it. A certificate made `forLoopback`
// carries subjectAltName IP:127.0.0.1, so a server on loopback can present it.
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import path from "node:path";

export function makeCertificates(
  dir: string,
  certificates: { name: string; forLoopback: boolean }[],
): void {
  const openssl = (...args: string[]) =>
    execFileSync("openssl", args, { cwd: dir, stdio: "ignore" });
  openssl(
    "req",
    "-x509",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-keyout",
    "ca.key",
    "-out",
    "ca.pem",
    "-days",
    "1",
    "-subj",
    "/CN=caravan test CA",
  );
  writeFileSync(path.join(dir, "loopback.ext"), "subjectAltName=IP:127.0.0.1\n");
  for (const { name, forLoopback } of certificates) {
    openssl(
      "req",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-keyout",
      `${name}.key`,
      "-out",
      `${name}.csr`,
      "-subj",
      `/CN=${name}`,
    );
    openssl(
      "x509",
      "-req",
      "-in",
      `${name}.csr`,
      "-CA",
      "ca.pem",
      "-CAkey",
      "ca.key",
      "-CAcreateserial",
      "-out",
      `${name}.pem`,
      "-days",
      "1",
      ...(forLoopback ? ["-extfile", "loopback.ext"] : []),
    );
  }
}
