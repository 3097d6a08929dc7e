# disk in a task's resources block: deprecated, read and printed by jobspec2
# (DiskMB), ignored by the server. Caravan reads it with a warning.
job "scratch" {
  type = "batch"

  group "build" {
    ephemeral_disk {
      size = 500
    }

    task "compile" {
      driver = "raw_exec"

      config {
        command = "/usr/bin/make"
        args    = ["all"]
      }

      resources {
        cpu    = 500
        memory = 256
        disk   = 200
      }
    }
  }
}
