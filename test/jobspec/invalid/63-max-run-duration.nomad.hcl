# Expected errors (line:column: message), checked by test/unit/jobspec-corpus.test.ts:
# expect: 6:5: group "frontend": max_run_duration is for batch and sysbatch jobs, not service jobs
# max_run_duration bounds batch and sysbatch allocations, and must be positive.
job "web" {
  group "frontend" {
    max_run_duration = "1h"

    task "server" {
      driver = "exec"

      config {
        command = "/usr/bin/server"
      }
    }
  }
}
