# Rule: cax-sco (OWL 2 RL; rdfs9) - a member of a class is a member of every superclass.
# Why: "all targeted therapies" then finds the tyrosine kinase inhibitors and the menin inhibitor.
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
INSERT { ?instance rdf:type ?ancestor }
WHERE { ?class rdfs:subClassOf ?ancestor . ?instance rdf:type ?class . FILTER (?class != ?ancestor) }
