# From seed 000_e5365a8e56fff9c0.txt, HCL snippet 6.
job "microservice" {
  datacenters = ["dc1", "dc2"]
  type = "service"
  priority = 50
  
  # Constraints
  constraint {
    attribute = "${node.class}"
    operator  = "="
    value     = "compute"
  }
  
  # Spread across availability zones
  spread {
    attribute = "${node.datacenter}"
    target "dc1" {
      percent = 50
    }
    target "dc2" {
      percent = 50
    }
  }
  
  # Update strategy
  update {
    max_parallel      = 2
    min_healthy_time  = "30s"
    healthy_deadline  = "5m"
    progress_deadline = "10m"
    auto_revert       = true
    auto_promote      = true
    canary            = 2
  }
  
  # Multi-region deployment
  multiregion {
    strategy {
      max_parallel = 1
      on_failure   = "fail_all"
    }
    
    region "us-west" {
      count = 3
      datacenters = ["us-west-1"]
    }
    
    region "us-east" {
      count = 3
      datacenters = ["us-east-1"]
    }
  }
  
  group "api" {
    count = 5
    
    # Scaling policy
    scaling {
      enabled = true
      min = 3
      max = 10
      
      policy {
        evaluation_interval = "5s"
        cooldown           = "1m"
        
        check "cpu" {
          source = "prometheus"
          query  = "avg(nomad_client_allocs_cpu_total_percent{task='api'})"
          
          strategy "target-value" {
            target = 70
          }
        }
      }
    }
    
    # Network configuration
    network {
      mode = "bridge"
      port "http" {
        static = 8080
        to     = 8080
      }
    }
    
    # Service discovery
    service {
      name = "api"
      port = "http"
      tags = ["urlprefix-/api"]
      
      check {
        type     = "http"
        path     = "/health"
        interval = "10s"
        timeout  = "2s"
      }
      
      # Consul Connect
      connect {
        sidecar_service {
          proxy {
            upstreams {
              destination_name = "database"
              local_bind_port  = 5432
            }
          }
        }
      }
    }
    
    task "api" {
      driver = "docker"
      
      config {
        image = "company/api:${NOMAD_META_VERSION}"
        ports = ["http"]
      }
      
      # Resources
      resources {
        cpu    = 500
        memory = 256
        
        device "nvidia/gpu" {
          count = 1
          
          constraint {
            attribute = "${device.attr.memory}"
            operator  = ">="
            value     = "4GiB"
          }
        }
      }
      
      # Environment variables
      env {
        LOG_LEVEL = "info"
        PORT      = "${NOMAD_PORT_http}"
      }
      
      # Vault secrets
      vault {
        policies = ["api-policy"]
      }
      
      template {
        data = <<EOH
{{ with secret "database/creds/api" }}
DB_USERNAME={{ .Data.username }}
DB_PASSWORD={{ .Data.password }}
{{ end }}
EOH
        destination = "secrets/db.env"
        env         = true
      }
      
      # Artifacts
      artifact {
        source      = "s3://artifacts/configs/api.yaml"
        destination = "local/config.yaml"
      }
      
      # Logs
      logs {
        max_files     = 10
        max_file_size = 10
      }
    }
  }
}
