# A batch group whose allocation Nomad stops after it has run for 10 minutes
# (Caravan reads it and warns that its node agent does not stop it yet).
job "nightly-report" {
  type = "batch"

  group "report" {
    max_run_duration = "10m"

    task "build" {
      driver = "exec"

      config {
        command = "/usr/local/bin/build-report"
      }
    }
  }
}
