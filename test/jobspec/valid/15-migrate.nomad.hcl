job "migrate" {
  migrate {
    max_parallel     = 2
    health_check     = "task_states"
    min_healthy_time = "5s"
    healthy_deadline = "2m"
  }
  group "g" {
    migrate {
      max_parallel = 3
    }
    task "t" {
      driver = "exec"
      config { command = "x" }
    }
  }
}
