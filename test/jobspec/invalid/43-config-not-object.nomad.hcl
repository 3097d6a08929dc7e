# Expected errors (line:column: message), checked by test/unit/jobspec-corpus.test.ts:
# expect: 7:16: "config" must be a block or an object, not string "nginx"
job "bad" {
  group "g" {
    task "t" {
      driver = "docker"
      config = "nginx"
    }
  }
}
