# Expected errors (line:column: message), checked by test/unit/jobspec-corpus.test.ts:
# expect: 7:7: "config" is a block in Nomad's job files: write config { … } instead of config = …
job "bad" {
  group "g" {
    task "t" {
      driver = "docker"
      config = "nginx"
    }
  }
}
