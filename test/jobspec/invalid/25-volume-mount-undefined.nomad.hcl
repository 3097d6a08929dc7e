# Expected errors (line:column: message), checked by test/unit/jobspec-corpus.test.ts:
# expect: 9:9: task "t": volume_mount refers to volume "data", which the group does not define; add volume "data" { … } to the group
job "bad" {
  group "g" {
    task "t" {
      driver = "exec"
      config { command = "x" }
      volume_mount {
        volume      = "data"
        destination = "/data"
      }
    }
  }
}
