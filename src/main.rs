//! Entry point of the Wirelab web app: mounts the root component into the page.

fn main() {
    wirelab::start();
}
