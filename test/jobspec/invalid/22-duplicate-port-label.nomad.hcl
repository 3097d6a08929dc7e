# Expected errors (line:column: message), checked by test/unit/jobspec-corpus.test.ts:
# expect: 7:7: group "g": port "http" is defined twice
job "bad" {
  group "g" {
    network {
      port "http" {}
      port "http" {
        static = 80
      }
    }
    task "t" {
      driver = "exec"
      config { command = "x" }
    }
  }
}
