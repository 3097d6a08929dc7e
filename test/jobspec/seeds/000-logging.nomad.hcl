# From seed 000_e5365a8e56fff9c0.txt, HCL snippet 16.
job "logging" {
  type = "system"
  
  group "fluentbit" {
    task "fluentbit" {
      driver = "docker"
      
      config {
        image = "fluent/fluent-bit:latest"
        network_mode = "host"
        
        volumes = [
          "/var/log:/var/log:ro",
          "/opt/nomad/alloc:/var/nomad/alloc:ro"
        ]
      }
      
      template {
        data = <<EOH
[SERVICE]
    Flush        5
    Daemon       off
    Log_Level    info

[INPUT]
    Name              tail
    Path              /var/nomad/alloc/*/alloc/logs/*.stdout.*
    Tag               nomad.stdout.*
    Parser            docker
    Skip_Long_Lines   On
    Refresh_Interval  10

[OUTPUT]
    Name   elasticsearch
    Match  *
    Host   elasticsearch.service.consul
    Port   9200
    Index  nomad-logs
EOH
        destination = "local/fluent-bit.conf"
      }
    }
  }
}
