module github.com/microbox/workspace

go 1.26
