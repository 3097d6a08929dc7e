# Expected errors (line:column: message), checked by test/unit/jobspec-corpus.test.ts:
# expect: 13:7: scaling policy name must be "cpu" or "mem", not "memory"
# A task's scaling block names the resource it sizes: "cpu" or "mem".
job "sizing" {
  group "api" {
    task "server" {
      driver = "docker"

      config {
        image = "example/api:1.4"
      }

      scaling "memory" {
        min = 128
        max = 1024
      }
    }
  }
}
