job "cleanup" {
  type = "sysbatch"
  group "cleanup" {
    task "prune" {
      driver = "raw_exec"
      config {
        command = "/usr/bin/docker"
        args    = ["system", "prune", "-f"]
      }
    }
  }
}
