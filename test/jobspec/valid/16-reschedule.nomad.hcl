job "resched" {
  reschedule {
    delay          = "10s"
    delay_function = "fibonacci"
    max_delay      = "2h"
    unlimited      = true
  }
  group "a" {
    task "t" {
      driver = "exec"
      config { command = "x" }
    }
  }
  group "b" {
    reschedule {
      attempts       = 5
      interval       = "1h"
      delay          = "30s"
      delay_function = "constant"
      unlimited      = false
    }
    task "t" {
      driver = "exec"
      config { command = "x" }
    }
  }
}
