job "global" {
  multiregion {
    strategy {
      max_parallel = 1
      on_failure   = "fail_all"
    }
    region "west" {
      count       = 2
      datacenters = ["west-1"]
      node_pool   = "default"
      meta {
        cloud = "aws"
      }
    }
    region "east" {
      count       = 1
      datacenters = ["east-1"]
    }
  }
  group "g" {
    count = 0
    task "t" {
      driver = "exec"
      config { command = "x" }
    }
  }
}
