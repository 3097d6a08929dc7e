# Expected errors (line:column: message), checked by test/unit/jobspec-corpus.test.ts:
# expect: 5:5: unsupported argument "ephemeral_disk" in group "g"; "ephemeral_disk" is a block: write ephemeral_disk { … }
job "bad" {
  group "g" {
    ephemeral_disk = { size = 500 }
    task "t" {
      driver = "exec"
      config { command = "x" }
    }
  }
}
