# Expected errors (line:column: message), checked by test/unit/jobspec-corpus.test.ts:
# expect: 5:5: an affinity block takes no label, found "ssd"
job "bad" {
  group "g" {
    affinity "ssd" {
      attribute = "${attr.storage.ssd}"
      value     = "true"
      weight    = 50
    }
    task "t" {
      driver = "exec"
      config { command = "x" }
    }
  }
}
