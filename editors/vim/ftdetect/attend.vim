" attend: policy files and policy tests.
autocmd BufRead,BufNewFile *.policy setfiletype attend
" (join() rather than a method call, so that Vim before 8.2 reads it too)
autocmd BufRead,BufNewFile *.test if join(getline(1, 20), "\n") =~# '\v(^|\n)\s*policy\s+"' | setfiletype attend | endif
