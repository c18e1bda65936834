"""The evidence office's web application: who may view which recording, holds, the custody log, devices."""
