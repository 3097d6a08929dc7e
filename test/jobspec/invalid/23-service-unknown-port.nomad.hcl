# Expected errors (line:column: message), checked by test/unit/jobspec-corpus.test.ts:
# expect: 10:7: group "g" service "web": port "htpp" is not a port of the group's network; define port "htpp" in the group's network block
job "bad" {
  group "g" {
    network {
      port "http" {}
    }
    service {
      name = "web"
      port = "htpp"
    }
    task "t" {
      driver = "exec"
      config { command = "x" }
    }
  }
}
