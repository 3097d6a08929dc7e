# From seed 000_e5365a8e56fff9c0.txt, HCL snippet 11.
# A task fragment, wrapped in a job and group.
job "fragment" {
  group "g" {
    task "binary" {
      driver = "exec"
      
      config {
        command = "local/myapp"
        args    = ["--config", "local/config.json"]
      }
      
      artifact {
        source = "https://releases.company.com/myapp/linux/amd64/myapp"
        mode   = "file"
      }
    }
  }
}
