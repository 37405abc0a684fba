" attend: policy files and policy tests.
autocmd BufRead,BufNewFile *.policy setfiletype attend
autocmd BufRead,BufNewFile *.test if getline(1, 20)->join("\n") =~# '\v(^|\n)\s*policy\s+"' | setfiletype attend | endif
