# From seed 000_e5365a8e56fff9c0.txt, HCL snippet 21.
job "etl-pipeline" {
  type = "batch"
  
  periodic {
    cron = "0 2 * * *"
    prohibit_overlap = true
    time_zone = "UTC"
  }
  
  parameterized {
    payload = "optional"
    meta_required = ["source", "destination"]
  }
  
  group "extract" {
    task "extract" {
      driver = "docker"
      
      config {
        image = "etl:extract"
      }
      
      env {
        SOURCE = "${NOMAD_META_source}"
        DEST   = "${NOMAD_META_destination}"
      }
      
      dispatch_payload {
        file = "config.json"
      }
    }
  }
}
