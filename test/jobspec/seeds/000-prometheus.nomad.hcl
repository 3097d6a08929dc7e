# From seed 000_e5365a8e56fff9c0.txt, HCL snippet 15.
job "prometheus" {
  type = "service"
  
  group "monitoring" {
    task "prometheus" {
      driver = "docker"
      
      template {
        data = <<EOH
global:
  scrape_interval: 15s

scrape_configs:
  - job_name: 'nomad_metrics'
    consul_sd_configs:
      - server: '{{ env "NOMAD_IP_http" }}:8500'
        services: ['nomad-client', 'nomad']
    
    relabel_configs:
      - source_labels: ['__meta_consul_tags']
        regex: '(.*)http(.*)'
        action: keep
    
    scrape_interval: 5s
    metrics_path: /v1/metrics
    params:
      format: ['prometheus']
EOH
        destination = "local/prometheus.yml"
      }
      
      config {
        image = "prom/prometheus:latest"
        volumes = ["local/prometheus.yml:/etc/prometheus/prometheus.yml"]
        ports = ["prometheus"]
      }
    }
  }
}
