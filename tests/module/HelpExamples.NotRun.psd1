# The help examples HelpExamples.Tests.ps1 does not run, each with the reason (the documented subset).
@{
    'New-EmbeddingModel 1'  = 'needs an OpenCLIP ONNX file, which no package here serves'
    'Test-TrainingSet 1'    = 'calls pwsh by name, which a clone has only through the tool manifest; Install.Tests.ps1 runs this one-liner against an installed module'
    'New-SiteReservation 1' = 'writes to /var/www, outside the sandbox; example 3 runs the same command on ./site'
    'Copy-OptOutRegistry 2' = 'needs a PostgreSQL server and a login; tests/module/PostgresRegistry.Tests.ps1 runs the same copy against a private server'
}
