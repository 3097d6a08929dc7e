# From seed 000_e5365a8e56fff9c0.txt, HCL snippet 10.
# A task fragment, wrapped in a job and group.
job "fragment" {
  group "g" {
    task "java-app" {
      driver = "java"
      
      config {
        class_path = "local/app.jar"
        class      = "com.company.Main"
        args       = ["--server.port=${NOMAD_PORT_http}"]
        jvm_options = ["-Xmx512m", "-Xms256m"]
      }
      
      artifact {
        source = "https://releases.company.com/app/v1.0.0/app.jar"
      }
    }
  }
}
