# Expected errors (line:column: message), checked by test/unit/jobspec-corpus.test.ts:
# expect: 4:1: job "global-app" has no group: add group "<name>" { task "<name>" { … } }
# From seed 000_e5365a8e56fff9c0.txt, HCL snippet 23.
job "global-app" {
  multiregion {
    strategy {
      max_parallel = 1
      on_failure   = "fail_all"
    }
    
    region "aws-us-west" {
      count = 5
      datacenters = ["us-west-2a", "us-west-2b"]
      
      meta {
        cloud_provider = "aws"
      }
    }
    
    region "gcp-us-central" {
      count = 3
      datacenters = ["us-central1-a", "us-central1-b"]
      
      meta {
        cloud_provider = "gcp"
      }
    }
    
    region "azure-east" {
      count = 3
      datacenters = ["eastus", "eastus2"]
      
      meta {
        cloud_provider = "azure"
      }
    }
  }
}
