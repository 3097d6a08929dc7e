# /etc/nomad/client.hcl
datacenter = "dc1"
data_dir = "/opt/nomad"

client {
  enabled = true
  servers = ["nomad.service.consul:4647"]
  
  node_class = "compute"
  
  options = {
    "driver.raw_exec.enable" = "0"
    "docker.auth.config" = "/etc/docker/config.json"
    "docker.volumes.enabled" = true
  }
}

# Plugin configuration
plugin "docker" {
  config {
    endpoint = "unix:///var/run/docker.sock"
    
    gc {
      image       = true
      image_delay = "3m"
      container   = true
    }
    
    volumes {
      enabled = true
    }
    
    allow_privileged = false
    allow_caps = ["NET_ADMIN", "SYS_TIME"]
  }
}

# Host volumes
host_volume "data" {
  path      = "/mnt/data"
  read_only = false
}

# Consul integration
consul {
  address = "127.0.0.1:8500"
}

# Telemetry
telemetry {
  publish_allocation_metrics = true
  publish_node_metrics       = true
  prometheus_metrics         = true
}
