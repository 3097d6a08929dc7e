job "nightly" {
  type = "batch"
  periodic {
    cron             = "0 2 * * *"
    time_zone        = "America/New_York"
    prohibit_overlap = true
  }
  group "g" {
    task "backup" {
      driver = "exec"
      config { command = "/usr/local/bin/backup" }
    }
  }
}
