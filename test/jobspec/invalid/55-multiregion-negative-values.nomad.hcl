# Expected errors (line:column: message), checked by test/unit/jobspec-corpus.test.ts:
# expect: 12:7: multiregion region "west" must have at least 1 datacenter; leave datacenters out to use the job's
# expect: 11:7: multiregion region "west" count must not be negative, not -2
# expect: 8:7: multiregion max_parallel must not be negative, not -1
job "mr" {
  multiregion {
    strategy {
      max_parallel = -1
    }
    region "west" {
      count       = -2
      datacenters = []
    }
  }
  group "g" {
    task "t" {
      driver = "exec"
      config { command = "x" }
    }
  }
}
