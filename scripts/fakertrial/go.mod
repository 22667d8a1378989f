module fakertrial

go 1.26.0

require github.com/go-faker/faker/v4 v4.12.0

require golang.org/x/text v0.40.0 // indirect
