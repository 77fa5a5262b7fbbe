#!/bin/sh
# Removes this folder's dev container stack and everything it made: the
# containers, the db-data and node_modules volumes, the network, the image
# Compose built, and the Dev Containers CLI's UID-update image
# (vsc-<folder>-<hash>-uid, ~1 GB), which Compose knows nothing about.
#   sh .devcontainer/remove.sh          (from anywhere in the repository)
# The project is COMPOSE_PROJECT_NAME if set, else the one of the container
# the CLI labelled with this folder, else the CLI's default "<folder>_devcontainer".
set -eu
cd "$(dirname "$0")/.."

if docker compose version >/dev/null 2>&1; then
  compose() { docker compose "$@"; }
else
  compose() { docker-compose "$@"; }
fi

project=${COMPOSE_PROJECT_NAME:-}
if [ -z "$project" ]; then
  for id in $(docker ps -aq --filter "label=devcontainer.local_folder=$PWD"); do
    project=$(docker inspect -f '{{index .Config.Labels "com.docker.compose.project"}}' "$id")
  done
fi
if [ -z "$project" ]; then
  project="$(basename "$PWD" | tr 'A-Z' 'a-z' | tr -cd 'a-z0-9_-')_devcontainer"
fi

# Noted before `down` removes the containers that name them.
images=""
for id in $(docker ps -aq --filter "label=com.docker.compose.project=$project"); do
  image=$(docker inspect -f '{{.Config.Image}}' "$id")
  case "$image" in vsc-*) images="$images $image" ;; esac
done

echo "removing the dev container stack $project"
compose -p "$project" -f .devcontainer/compose.project.yml -f docker-compose.yml \
  -f .devcontainer/docker-compose.dev.yml down -v --rmi local --remove-orphans
for image in $(printf '%s\n' $images | sort -u); do
  docker rmi "$image"
done
