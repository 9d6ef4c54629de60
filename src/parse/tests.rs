use super::*;

#[test]
fn dump_all() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/feeds");
    let mut names: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
    names.sort();
    for p in names {
        let body = std::fs::read_to_string(&p).unwrap();
        let r = parse_feed(&body, "https://feeds.example.org/rss/index.xml", "src", "2024-06-01T00:00:00Z".parse().unwrap());
        println!("=== {}\n{:#?}", p.file_name().unwrap().to_string_lossy(), r);
    }
}
