job "encode" {
  type = "batch"
  parameterized {
    payload       = "required"
    meta_required = ["input"]
    meta_optional = ["preset"]
  }
  group "g" {
    task "ffmpeg" {
      driver = "docker"
      config { image = "jrottenberg/ffmpeg:6" }
      dispatch_payload {
        file = "input.json"
      }
    }
  }
}
