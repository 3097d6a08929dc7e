# Expected errors (line:column: message), checked by test/unit/jobspec-corpus.test.ts:
# expect: 18:7: only one scaling "cpu" block is allowed in task "server"; another is at line 13
# One scaling block per resource and task.
job "sizing" {
  group "api" {
    task "server" {
      driver = "docker"

      config {
        image = "example/api:1.4"
      }

      scaling "cpu" {
        min = 100
        max = 500
      }

      scaling "CPU" {
        min = 200
        max = 800
      }
    }
  }
}
