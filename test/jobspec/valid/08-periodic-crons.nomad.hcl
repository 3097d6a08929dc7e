job "twice" {
  type = "batch"
  periodic {
    crons   = ["0 6 * * mon-fri", "30 18 * * 1-5"]
    enabled = true
  }
  group "g" {
    task "report" {
      driver = "exec"
      config { command = "report" }
    }
  }
}
