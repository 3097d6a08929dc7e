job "dates" {
  meta {
    formatted = formatdate("DD MMM YYYY hh:mm ZZZ", "2024-01-15T10:30:00Z")
    added     = timeadd("2024-01-15T10:30:00Z", "36h")
    weekday   = formatdate("EEEE", "2024-01-15T10:30:00Z")
  }
  group "g" {
    task "t" {
      driver = "exec"
      config { command = "x" }
    }
  }
}
