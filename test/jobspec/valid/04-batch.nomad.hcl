job "batch-job" {
  type = "batch"
  group "work" {
    count = 4
    task "crunch" {
      driver = "docker"
      config {
        image   = "busybox:1.36"
        command = "sh"
        args    = ["-c", "echo done"]
      }
    }
  }
}
