job "canary" {
  update {
    max_parallel      = 2
    health_check      = "checks"
    min_healthy_time  = "30s"
    healthy_deadline  = "10m"
    progress_deadline = "15m"
    auto_revert       = true
    auto_promote      = true
    canary            = 2
    stagger           = "45s"
  }
  group "web" {
    count = 4
    update {
      max_parallel = 1
      health_check = "task_states"
    }
    task "t" {
      driver = "docker"
      config { image = "nginx:1.25" }
    }
  }
}
